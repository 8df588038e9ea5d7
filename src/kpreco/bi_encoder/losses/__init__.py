"""Losses the sentence-transformers library does not have, one idea per module."""

from kpreco.bi_encoder.losses.pearson import ItemPearsonCorrelationLoss, PearsonCorrelationLoss
from kpreco.bi_encoder.losses.weighted import TaskWeightedLoss

__all__ = ["ItemPearsonCorrelationLoss", "PearsonCorrelationLoss", "TaskWeightedLoss"]
