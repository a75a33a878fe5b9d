from django.urls import path

from exercises import views

app_name = "exercises"

urlpatterns = [
    path("", views.library, name="library"),
    path("<slug:slug>/", views.exercise_detail, name="exercise"),
    path("<slug:slug>/level-<int:number>/", views.level_detail, name="level"),
]
