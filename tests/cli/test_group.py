"""The `flask lms` group turns every service refusal into one line and exit status 1, in one place."""


def test_a_refusal_from_a_nested_command_is_one_line_and_exit_1(runner, db):
    result = runner.invoke(args=["lms", "cohort", "update", "987654", "--name", "Renamed"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_a_refusal_from_a_top_level_command_is_one_line_and_exit_1(runner, db):
    result = runner.invoke(args=["lms", "assign-instructor", "no-such-course", "someone@example.org"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: ")
