"""Speech modality: audio archives (WAV, FLAC, OGG, MP3) to speech encoders."""

from plugins.speech.plugin import plugin

__all__ = ["plugin"]
