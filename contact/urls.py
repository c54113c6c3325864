from django.urls import path

from . import views

app_name = "contact"

urlpatterns = [
    path("", views.InquiryCreateView.as_view(), name="form"),
    path("sent/", views.inquiry_sent, name="sent"),
]
