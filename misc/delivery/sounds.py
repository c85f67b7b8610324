"""The sound button's door into the pipeline: the sound of a post, for anyone in the chat who presses it."""

from __future__ import annotations

from misc.delivery.button_press import ButtonPressDelivery
from misc.delivery.failures import FailureReporter
from misc.delivery.media_kinds import SoundMedia
from misc.delivery.pipeline import DeliveryPipeline
from misc.delivery.services import DeliveryServices


class SoundDelivery(ButtonPressDelivery):
    def __init__(self, services: DeliveryServices, pipeline: DeliveryPipeline, failures: FailureReporter) -> None:
        super().__init__(services, pipeline, failures, SoundMedia(services.sender))
