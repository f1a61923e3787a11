"""What the tests share that is not a fixture: data built in the data sets' own formats
(``archives``), the notebook run short or filled with a learner's solution (``notebooks``),
submissions packed as a learner hands them in (``submissions``), and a function judged from the
evidence files it makes, as the reviewer's judge judges it (``judging``)."""
