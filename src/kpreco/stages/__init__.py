"""Stages: extract -> transform -> load for one step of the pipeline, shared by jobs/."""
