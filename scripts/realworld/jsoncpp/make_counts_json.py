#!/usr/bin/env python3
"""Writes counts.json: an array of 1000 integers and an object of 200 strings. jsontestrunner
prints the value tree of the input and of its rewrite: printValueTree runs 2 x (1 root + 1 array +
1000 + 1 object + 200) = 2406 times."""
import json, sys
doc = {"a": list(range(-500, 500)), "b": {"k%03d" % i: "s%d" % i for i in range(200)}}
with open(sys.argv[1], "w") as f:
    json.dump(doc, f, indent=1)
