"""The one exception the dataset layer raises for a bad dataset folder."""

from __future__ import annotations


class DatasetError(Exception):
    """A dataset folder or file is missing, unreadable, of an unknown version or corrupted.

    The message is one line naming the folder or file and what is wrong with it.
    """
