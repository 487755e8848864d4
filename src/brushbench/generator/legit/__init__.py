"""Legitimate orders that look like brushing and are not: the hard negatives."""
