from .models import ClinicDetails


def clinic(request):
    return {"clinic": ClinicDetails.for_request(request)}
