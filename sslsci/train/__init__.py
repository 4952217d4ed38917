"""Pretraining: one LightningModule for every backbone + method pair."""
