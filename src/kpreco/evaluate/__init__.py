"""The evaluation protocol: does distillation undo click bias?"""
