"""Scales, scanners, pole displays, cash drawers and the OS secret store.

Empty until the devices issue lands: the keyboard-wedge scanner needs no adapter (ui/ reads it).
"""
