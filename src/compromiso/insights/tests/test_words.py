from compromiso.insights import words


def test_meaningful_words_are_counted_once_per_answer_across_languages():
    answers = [
        "Esperé mucho tiempo en la fila, mucho tiempo",
        "El tiempo de espera es excesivo",
        "Vaig esperar massa temps a la cua",
        "La atención fue muy amable",
        "Atencion amable",
        "",
    ]

    found = dict(words.frequencies(answers))

    assert found["tiempo"] == 2  # once per answer
    assert found["atención"] == 2  # counted with or without the accent, shown with it
    assert "atencion" not in found
    assert found["amable"] == 2
    assert not {"la", "mucho", "vaig"} & set(found)
    assert "cua" in found


def test_hostile_and_empty_input_gives_words_or_nothing():
    found = dict(words.frequencies(["<script>alert(1)</script>", "   ", "12345 !!!"]))
    assert found == {"script": 1, "alert": 1}
    assert words.frequencies([]) == []


def test_spanish_letters_survive():
    assert dict(words.frequencies(["Año de mañana", "niño"]))["año"] == 1


def test_a_word_is_shown_as_most_people_wrote_it_with_its_accents():
    answers = ["Buena atención", "ATENCIÓN rápida", "atencion lenta", "Trámite rápido"]

    found = words.frequencies(answers)

    assert ("atención", 3) in found
    assert ("rápida", 1) in found
    assert ("trámite", 1) in found
    assert all(word == word.lower() for word, _count in found)


def test_on_a_tie_the_accented_spelling_is_shown():
    assert words.frequencies(["atencion", "atención"]) == [("atención", 2)]
    assert words.frequencies(["Atenció al client", "atencio"])[0] == ("atenció", 2)
