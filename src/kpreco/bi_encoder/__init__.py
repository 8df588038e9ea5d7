"""The bi-encoder student: one shared encoder for titles and keyphrases, trained multi-task."""
