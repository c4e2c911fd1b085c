"""Participant apps: reference versions of what banks, marketplaces and small businesses run.

Each app joins the infrastructure only through its open protocols (FSPIOP, Beckn, OpenID
Connect), never by importing a block, so that a third party can replace it (DESIGN.md, section 2).
"""
