from lms.services import accounts


def test_create_user_asks_for_the_password(runner, db):
    result = runner.invoke(args=["lms", "create-user", "--email", "Boss@Example.org", "--role", "admin",
                                 "--name", "Programme Boss"],
                           input="a long admin password\na long admin password\n")
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.org" in result.output
    user = accounts.find_by_email("boss@example.org")
    assert user.role == "admin" and user.display_name == "Programme Boss"


def test_create_user_refuses_a_weak_password_without_a_traceback(runner, db):
    result = runner.invoke(args=["lms", "create-user", "--email", "x@example.org", "--password", "short"])
    assert result.exit_code == 1
    assert "Use at least 10 characters." in result.output
    assert "Traceback" not in result.output
    assert accounts.find_by_email("x@example.org") is None


def test_create_user_refuses_a_duplicate(runner, db, make_user):
    make_user(email="dup@example.org")
    result = runner.invoke(args=["lms", "create-user", "--email", "DUP@example.org", "--password", "long enough pw"])
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_user_refuses_an_unknown_role(runner, db):
    result = runner.invoke(args=["lms", "create-user", "--email", "x@example.org", "--role", "overlord",
                                 "--password", "long enough pw"])
    assert result.exit_code == 2
    assert "overlord" in result.output


def test_demo_creates_three_accounts_once_and_prints_them(runner, db):
    first = runner.invoke(args=["lms", "demo"])
    second = runner.invoke(args=["lms", "demo"])
    assert first.exit_code == second.exit_code == 0
    for email in ("admin@example.org", "instructor@example.org", "learner@example.org"):
        assert email in first.output
        assert accounts.find_by_email(email) is not None
    assert accounts.find_by_email("learner@example.org").display_name == "김민수"
    assert "demo-password-123" in first.output
