from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.switch_language, name="switch_language"),
    path("account/language/", views.language, name="language"),
    path("account/payment-details/", views.payment_methods, name="payment_methods"),
    path(
        "account/payment-details/confirming/", views.confirming_payments, name="confirming_payments"
    ),
    path(
        "account/payment-details/<id:method_id>/",
        views.payment_method_edit,
        name="payment_method_edit",
    ),
    path(
        "account/payment-details/<id:method_id>/remove/",
        views.payment_method_remove,
        name="payment_method_remove",
    ),
]
