"""The forms, one plug-in folder each, found by the registry through the `jixiao.forms` entry point;
beside them what families of forms share: the indicator model and rules and the official taxonomy
(indicators, taxonomy) used by every form, and self_evaluation/, the base both self-evaluation
forms are made from. Nothing here is imported by a stage except those shared helpers."""
