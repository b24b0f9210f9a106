"""Surveys: the city's survey builder, a round's surveys in its timeline, and answering through a personal link."""

from flask_babel import lazy_gettext as _l

from mentorby.blueprints.common import CityBlueprint
from mentorby.blueprints.messages import register
from mentorby.platform.accounts.models import COORDINATOR

bp = CityBlueprint("surveys", __name__, url_prefix="/coordinator", access=(COORDINATOR,))

#: Messages for this area's own rule codes.
MESSAGES = register("surveys", {
    "already_answered": _l("You have already sent your answers: thank you. They can no longer be changed."),
    "already_sent": _l("This survey has already gone out to the round: remind those who have not answered instead."),
    "answer_not_a_choice": _l("Choose one of the answers shown."),
    "answer_not_a_number": _l("Enter a whole number."),
    "answer_one_choice": _l("Choose one answer only."),
    "answer_out_of_range": _l("Enter a number from %(min)s to %(max)s."),
    "answer_required": _l("This question needs an answer."),
    "answer_too_long": _l("At most %(max)d characters."),
    "bad_answer": _l("The answer contains characters that cannot be stored."),
    "no_recipients": _l("Nobody in this round can receive this survey yet (asked: %(audience)s). Accept people "
                        "first, or for the companies, link the mentees' partners' employers to partner companies."),
    "question_has_dependants": _l("A later question is shown only on this question's answer: change that "
                                  "question's condition first."),
    "question_key_taken": _l("Another question of this survey has this key."),
    "reminder_after_closing": _l("Reminders must come before the survey closes, after %(days)s days."),
    "show_if_not_choice": _l("A condition can only read a question with fixed answers (not a number or a text)."),
    "show_if_unknown": _l("A condition must read an earlier question of this survey, by its key."),
    "survey_closed": _l("This survey has closed, so it takes no more answers. Thank you all the same."),
    "survey_closed_for_reminders": _l("This survey has closed: there is nobody left to remind."),
    "survey_needs_a_question": _l("A survey needs at least one question."),
    "survey_outdated": _l("Someone changed this survey meanwhile, so it now has a newer version. Open the survey "
                          "again and make the change there."),
    "unknown_question": _l("That question is not part of this survey. Reload the page and try again."),
    "unknown_section": _l("That section is not part of this survey. Reload the page and try again."),
    "unknown_template": _l("There is no such template in the programme model."),
    "bad_key": _l("Use 2-40 lower-case letters, digits and _, starting with a letter (e.g. job_search)."),
    "options_count": _l("Give from 2 to 20 choices, one per line."),
    "bad_option_code": _l("Each choice needs its own code of lower-case letters, digits and _ (code | Danish | "
                          "English)."),
    "option_needs_both_languages": _l("Each choice needs its words in Danish and in English (code | Danish | "
                                      "English)."),
    "bad_range": _l("Give a lowest and a highest number, the lowest first."),
    "show_if_incomplete": _l("Give both the question's key and the answers that show this question."),
    "bad_reminder_days": _l("Give up to five different days from 1 to 60, e.g. 7, 14, 21."),
    "bad_open_days": _l("Give a number of days from 1 to 120."),
    "bad_number": _l("Enter a whole number."),
})
