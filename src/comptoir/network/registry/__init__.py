"""The registry: who is on the network, with which keys, serving what and where."""
