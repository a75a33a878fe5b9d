from django.urls import path

from patients import program_views, report_views, views

app_name = "patients"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("program/<int:prescription_id>/", views.timer, name="timer"),
    path("program/<int:prescription_id>/holds/", views.log_hold, name="log-hold"),
    path("pain/", views.log_pain, name="log-pain"),
    path("history/", views.history, name="history"),
    path("program/print/", views.print_program, name="print"),
    path("me/export.zip", views.export_my_data, name="export"),
    path("settings/", views.reminder_settings, name="settings"),
    path("settings/calendar/reset/", views.calendar_reset, name="calendar-reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("holds/<int:pk>/edit/", views.edit_hold, name="edit-hold"),
    path("holds/<int:pk>/delete/", views.delete_hold, name="delete-hold"),
    path("pain/<int:pk>/edit/", views.edit_pain, name="edit-pain"),
    path("pain/<int:pk>/delete/", views.delete_pain, name="delete-pain"),
    path("clinic/", report_views.report_page, name="report"),
    path("clinic/report.csv", report_views.report_csv, name="report-csv"),
    path("clinic/monitoring.csv", report_views.monitoring_csv, name="monitoring-csv"),
    path("clinic/patients/new/", program_views.enrol, name="enrol"),
    path("clinic/templates/", program_views.templates, name="templates"),
    path("clinic/templates/new/", program_views.template_new, name="template-new"),
    path("clinic/templates/<int:template_id>/", program_views.template_edit, name="template-edit"),
    path(
        "clinic/templates/<int:template_id>/delete/",
        program_views.template_delete,
        name="template-delete",
    ),
    path(
        "clinic/patients/<int:patient_id>/program/template/",
        program_views.template_from_program,
        name="template-from-program",
    ),
    path("clinic/patients/<int:patient_id>/", report_views.patient_detail, name="patient-detail"),
    path(
        "clinic/patients/<int:patient_id>/invitation/",
        program_views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "clinic/patients/<int:patient_id>/program/pause/",
        program_views.program_pause,
        name="program-pause",
    ),
    path(
        "clinic/patients/<int:patient_id>/program/resume/",
        program_views.program_resume,
        name="program-resume",
    ),
    path(
        "clinic/patients/<int:patient_id>/program/add/",
        program_views.program_add,
        name="program-add",
    ),
    path(
        "clinic/patients/<int:patient_id>/prescriptions/<int:prescription_id>/change/",
        program_views.prescription_change,
        name="prescription-change",
    ),
    path(
        "clinic/patients/<int:patient_id>/prescriptions/<int:prescription_id>/end/",
        program_views.prescription_end,
        name="prescription-end",
    ),
    path(
        "clinic/patients/<int:patient_id>/fhir.json",
        report_views.patient_fhir,
        name="patient-fhir",
    ),
    path(
        "clinic/patients/<int:patient_id>/intake-pain/",
        report_views.intake_pain,
        name="intake-pain",
    ),
    path(
        "clinic/patients/<int:patient_id>/monitoring/time/",
        report_views.monitoring_time,
        name="monitoring-time",
    ),
    path(
        "clinic/patients/<int:patient_id>/monitoring/start/",
        report_views.monitoring_start,
        name="monitoring-start",
    ),
    path(
        "clinic/patients/<int:patient_id>/prescriptions/<int:prescription_id>/progress/",
        report_views.progress,
        name="progress",
    ),
]
