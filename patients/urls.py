from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("program/<int:prescription_id>/", views.timer, name="timer"),
    path("program/<int:prescription_id>/holds/", views.log_hold, name="log-hold"),
    path("pain/", views.log_pain, name="log-pain"),
    path("history/", views.history, name="history"),
    path("holds/<int:pk>/edit/", views.edit_hold, name="edit-hold"),
    path("holds/<int:pk>/delete/", views.delete_hold, name="delete-hold"),
    path("pain/<int:pk>/edit/", views.edit_pain, name="edit-pain"),
    path("pain/<int:pk>/delete/", views.delete_pain, name="delete-pain"),
]
