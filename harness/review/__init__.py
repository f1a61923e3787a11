"""Reviewing a submission without trusting it: ``unpack`` takes it apart safely, ``code`` takes the
learner's definitions out of its notebook to be checked again, and ``figures`` reads the quality
it reports, to be measured again."""
