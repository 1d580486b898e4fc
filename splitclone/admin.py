from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError


class SupportAdmin(admin.ModelAdmin):
    """An admin for rows that only their model's own methods change.

    Staff search and look here. What support may change, it changes with the actions, which
    call the same model methods as the app does, so every rule of the group holds for staff too.
    Nothing is added, edited or deleted by hand: a hand edit would step around those rules, and
    would write back values that another writer changed since the page was read.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_support_permission(self, request):
        """Who may run actions marked `permissions=["support"]`: the model's change right."""
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def act_on_each(self, request, rows, act, done):
        """Runs `act(row)` for each row, telling staff each refusal the model gives and then
        how many were done (`done` is a format string given `count`)."""
        count = 0
        for row in rows:
            try:
                act(row)
            except ValidationError as refused:
                self.message_user(request, f"{row}: {' '.join(refused.messages)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done.format(count=count), messages.SUCCESS)
