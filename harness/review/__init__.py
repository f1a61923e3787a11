"""Reviewing a submission without trusting it: ``draft`` writes the reviewer's draft from the parts.

``unpack`` takes the submission apart safely; ``code`` takes the learner's definitions out of its
notebook; ``checking`` runs our checks of them in ``sandbox``, and ``retraining`` trains them again
there when asked; ``figures`` reads the quality the notebook and its report give, ``samples``
measures its last digits again; ``rubric`` gives each section its verdict and ``render`` writes it.
"""
