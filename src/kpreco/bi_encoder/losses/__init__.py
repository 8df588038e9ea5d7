"""Losses the sentence-transformers library does not have, one per module."""

from kpreco.bi_encoder.losses.pearson import PearsonCorrelationLoss
from kpreco.bi_encoder.losses.weighted import TaskWeightedLoss

__all__ = ["PearsonCorrelationLoss", "TaskWeightedLoss"]
