"""Applications (candidatures): the workflow, the message thread, the mails."""
