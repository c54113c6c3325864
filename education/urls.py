from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("topic/<slug:slug>/", views.topic_detail, name="topic"),
    path("<slug:slug>/", views.page_detail, name="page"),
]
