"""The personal file on paper: one file as a PDF, batches and hand-over files made by a worker.

``render`` turns files into PDF (WeasyPrint, A4, Chinese fonts from the system: Debian's
``fonts-wqy-microhei``), ``jobs`` runs the background batches, ``views`` serves them.
"""
