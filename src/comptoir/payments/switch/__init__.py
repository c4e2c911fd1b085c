"""The switch's FSPIOP API: what DFSPs call under `/switch/`, and the callbacks it sends."""
