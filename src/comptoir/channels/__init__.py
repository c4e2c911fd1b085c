"""Channels: ways of reaching people outside the web pages (SMS, USSD). They import only the
kernel; blocks reach them through outbox topics."""
