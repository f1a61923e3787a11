"""Reviewing a submission without trusting it: ``unpack`` takes it apart safely."""
