"""What the tests share that is not a fixture: data built in the data sets' own formats
(``archives``), the notebook run short or filled with a learner's solution (``notebooks``), and
submissions packed as a learner hands them in (``submissions``)."""
