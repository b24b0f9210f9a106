"""What several application tests do: send the notify step as a coordinator does, from its preview."""

import re


def preview(client, cohort_id: int, status: str):
    """The notify step's preview page for `status` (accepted, waitlisted or declined)."""
    return client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/notify/{status}")


def notify(client, cohort_id: int, status: str):
    """Open the preview, then press its send button (which carries the preview's fingerprint)."""
    page = preview(client, cohort_id, status)
    found = re.search(r'name="fingerprint" value="([0-9a-f]*)"', page.text)
    return client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/notify/{status}",
                       data={"fingerprint": found.group(1) if found else ""})
