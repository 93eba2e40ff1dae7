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
    assert found["atencion"] == 2  # with or without the accent
    assert found["amable"] == 2
    assert not {"la", "mucho", "vaig"} & set(found)
    assert "cua" in found


def test_hostile_and_empty_input_gives_words_or_nothing():
    found = dict(words.frequencies(["<script>alert(1)</script>", "   ", "12345 !!!"]))
    assert found == {"script": 1, "alert": 1}
    assert words.frequencies([]) == []


def test_spanish_letters_survive():
    assert dict(words.frequencies(["Año de mañana", "niño"]))["año"] == 1
