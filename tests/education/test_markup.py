"""The patient-page additions to Markdown (docs/writing-pages.md), rendered and sanitised."""

import re

import pytest

from education.markup import Glossary, GlossaryEntry, cited_numbers, placeholders
from education.rendering import render_markdown

GLOSSARY = Glossary(
    [
        GlossaryEntry(
            "dissociation", "Feeling detached.", "dissociation", ("dissociation", "dissociative")
        ),
        GlossaryEntry("IV", "A drip into a vein.", "iv", ("IV",)),
        GlossaryEntry("depression", "Low mood that lasts.", "depression", ("depression",)),
        GlossaryEntry(
            "treatment-resistant depression",
            "Depression that has not eased after two or more medicines.",
            "treatment-resistant-depression",
            ("treatment-resistant depression",),
        ),
    ],
    url="/glossary/",
)


def glossary_buttons(html):
    return re.findall(
        r'<button class="glossary-term" popovertarget="term-([\w-]+)"[^>]*>([^<]*)</button>', html
    )


def test_the_first_use_of_each_term_becomes_a_button_with_its_meaning_beside_it():
    html = render_markdown(
        "Dissociation is common. Dissociative feelings fade. An IV drip. Your iv line.",
        glossary=GLOSSARY,
    ).html
    assert glossary_buttons(html) == [("dissociation", "Dissociation"), ("iv", "IV")]
    tip = re.search(
        r'<span class="glossary-tip" id="term-dissociation" popover="auto">(.*?)</span>', html
    )
    assert tip and "Feeling detached." in tip.group(1)
    assert '<a href="/glossary/#word-dissociation"' in tip.group(1)
    # The tip comes straight after its button, so a screen reader reads it next.
    assert 'Dissociation</button><span class="glossary-tip" id="term-dissociation"' in html


def test_abbreviations_match_only_in_capitals_and_the_longest_term_wins():
    rendered = render_markdown(
        "Treatment-resistant depression is not the same as depression. The iv is lower case.",
        glossary=GLOSSARY,
    )
    assert glossary_buttons(rendered.html) == [
        ("treatment-resistant-depression", "Treatment-resistant depression"),
        ("depression", "depression"),
    ]
    assert rendered.explained == ["treatment-resistant-depression", "depression"]


def test_terms_in_headings_links_care_card_titles_and_labels_are_left_as_words():
    source = (
        "## What is dissociation?\n\n[About dissociation](https://example.org)\n\n"
        '!!! info "Dissociation"\n    Text.\n\n- [ ] I know about dissociation.\n\n'
        "Then dissociation, explained here."
    )
    html = render_markdown(source, glossary=GLOSSARY).html
    assert glossary_buttons(html) == [("dissociation", "dissociation")]
    assert html.index("<button") > html.index("Then ")


def test_glossary_meanings_stay_out_of_the_page_text():
    rendered = render_markdown("Dissociation can happen.", glossary=GLOSSARY)
    assert rendered.text == "Dissociation can happen."


def test_citations_link_to_their_source_and_each_has_its_own_anchor():
    rendered = render_markdown("A claim.[^2] Another.[^1] Again.[^2]")
    html = rendered.html
    assert rendered.citations == [2, 1]
    assert re.findall(r'<a href="#source-(\d)" id="(cite-[\d-]+)"', html) == [
        ("2", "cite-2"),
        ("1", "cite-1"),
        ("2", "cite-2-2"),
    ]
    assert '<span class="visually-hidden">source </span>2</a></sup>' in html
    assert rendered.text == "A claim. Another. Again."


def test_citations_in_faq_answers_carry_no_ids_that_could_clash_with_the_body():
    html = render_markdown("An answer.[^1]", anchors=False).html
    assert '<a href="#source-1"' in html and "id=" not in html


def test_a_list_of_open_boxes_becomes_a_checklist_of_labelled_tick_boxes():
    html = render_markdown("### Today\n\n- [ ] Rest.\n- [ ] Drink **water**.").html
    boxes = re.findall(
        r'<input type="checkbox" class="checklist__box" id="(check-\w+)"><label for="(check-\w+)">',
        html,
    )
    assert len(boxes) == 2 and all(box == label for box, label in boxes)
    assert boxes[0][0] != boxes[1][0]
    assert '<ul class="checklist" role="list">' in html and "<strong>water</strong>" in html
    assert "[ ]" not in html


def test_a_checklist_box_keeps_its_id_when_lines_are_added_above_it():
    first = render_markdown("- [ ] Rest.").html
    later = render_markdown("- [ ] A new first line.\n- [ ] Rest.").html
    rest_id = re.search(r'id="(check-\w+)"><label for="check-\w+">Rest', first).group(1)
    assert f'id="{rest_id}"><label for="{rest_id}">Rest' in later


def test_loose_checklists_and_mixed_lists():
    loose = render_markdown("- [ ] One.\n\n- [ ] Two.").html
    assert loose.count('type="checkbox"') == 2 and "<p>" not in loose
    mixed = render_markdown("- [ ] One.\n- Two.").html
    assert "checkbox" not in mixed and "[ ] One." in mixed


def test_rule_icons_have_a_text_alternative_and_unknown_names_stay_text():
    html = render_markdown("- :no-driving: No driving today.\n- :unicorn: Not an icon.").html
    assert (
        '<span aria-label="No driving" class="rule-icon rule-icon--no-driving" role="img"></span>'
        in html
    )
    assert ":unicorn:" in html


def test_placeholders_show_marked_and_are_found():
    source = "One infusion costs [[Fill in: the price of one infusion]]."
    assert '<mark class="placeholder">Fill in: the price of one infusion</mark>' in (
        render_markdown(source).html
    )
    assert placeholders(source) == ["Fill in: the price of one infusion"]
    assert placeholders("No notes [here].") == []
    assert cited_numbers("A[^3] b[^1] c[^3]") == [3, 1]


@pytest.mark.parametrize(
    "hostile",
    [
        '<input type="checkbox" id="check-1" onclick="alert(1)">',
        '<span class="checklist__box" id="check-x" onclick="alert(1)"></span>',
        '<button popovertarget="x" onclick="alert(1)">x</button>',
        '<span popover="manual" id="evil" role="alert">x</span>',
        '<a href="#x" id="main">x</a>',
        '<label for="password">x</label><sup class="x">1</sup>',
    ],
)
def test_the_new_markup_cannot_be_used_to_smuggle_attributes(hostile):
    html = render_markdown(f"Text.\n\n{hostile}").html
    for forbidden in (
        "onclick",
        'popover="manual"',
        'id="evil"',
        'id="main"',
        'role="alert"',
        'for="password"',
        'class="x"',
        'popovertarget="x"',
    ):
        assert forbidden not in html, html


@pytest.mark.parametrize(
    "typed",
    [
        '<span class="checklist__box" id="check-deadbeef"></span>',
        '<span role="img" aria-label="Safe to drive">No driving today</span>',
        '<span id="term-iv" popover="auto">Fake meaning</span>',
        '<a id="cite-1" href="#source-1">1</a>',
        '<button type="button" popovertarget="term-iv">IV</button>',
        '<label for="check-deadbeef">x</label>',
    ],
)
def test_html_an_editor_types_cannot_fake_the_pages_own_markup(typed):
    html = render_markdown(f"Text.\n\n{typed}\n\nAn IV line.", glossary=GLOSSARY).html
    for faked in (
        "<input",
        'role="img"',
        "Safe to drive",
        "deadbeef",
        'id="cite-1"',
        'popover="auto">Fake',
    ):
        assert faked not in html, html
    assert html.count('id="term-iv"') == 1 and html.count('class="glossary-term"') == 1


def test_a_nested_list_in_a_checklist_item_stays_out_of_its_label():
    html = render_markdown("- [ ] Pack a bag:\n    - a sweater\n    - headphones").html
    label = re.search(r"<label[^>]*>(.*?)</label>", html, re.S).group(1)
    assert label == "Pack a bag:"
    assert "<ul>" in html.split("</label>", 1)[1]


@pytest.mark.parametrize("heading", ["Words", "Questions", "References", "Main", "Source 1"])
def test_headings_never_take_an_id_the_page_template_uses(heading):
    rendered = render_markdown(f"## {heading}\n\nText.")
    assert rendered.headings[0]["id"] not in {
        "words",
        "questions",
        "references",
        "main",
        "source-1",
    }


def test_a_citation_in_a_heading_stays_out_of_the_heading_and_its_anchor():
    rendered = render_markdown("## Risks[^1]\n\nText.[^1]")
    assert rendered.headings == [{"id": "risks", "title": "Risks"}]
    assert rendered.citations == [1]


def test_a_glossary_tip_can_be_closed_with_its_own_button():
    html = render_markdown("An IV drip.", glossary=GLOSSARY).html
    tip = re.search(r'<span class="glossary-tip" id="term-iv".*?</span>', html, re.S).group(0)
    assert (
        '<button class="glossary-tip__close" popovertarget="term-iv" '
        'popovertargetaction="hide" type="button">Close</button>' in tip
    )


def test_multi_word_terms_match_across_a_line_break():
    html = render_markdown("It was treatment-resistant\ndepression.", glossary=GLOSSARY).html
    assert glossary_buttons(html)[0][0] == "treatment-resistant-depression"


def test_checklists_keep_their_list_role():
    assert '<ul class="checklist" role="list">' in render_markdown("- [ ] Rest.").html
