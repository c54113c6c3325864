"""System checks: `manage.py check` (and CI) says so if screening's word model is unusable."""

from django.core import checks

from . import screening_model


@checks.register()
def screening_model_loads(app_configs, **kwargs):
    try:
        model = screening_model.load_model()
    except Exception as error:  # noqa: BLE001 - any failure is reported, none is fatal here
        return [
            checks.Error(
                f"The screening word model ({screening_model.MODEL_PATH.name}) cannot be read: "
                f"{type(error).__name__}. Screening falls back to phrases alone.",
                hint="Retrain it with `make screening-model`.",
                id="contact.E001",
            )
        ]
    if model is None:
        return [
            checks.Warning(
                f"No screening word model at {screening_model.MODEL_PATH}: "
                "screening uses phrases alone.",
                hint="Train one with `make screening-model`.",
                id="contact.W001",
            )
        ]
    return []
