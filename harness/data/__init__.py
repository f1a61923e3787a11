"""The data sets: where they come from (``sources``), getting them (``download``, ``extract``),
and serving them (``images`` decodes one file, ``cache`` decodes them all once).

``helper.py``, the learner's face of the data, is built from these modules.
"""
