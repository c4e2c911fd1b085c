"""The seller platform's rules: quotes with every fee, the order's states.

Stdlib and kernel only."""
