"""The README's first picture and its sentence come from the README's own main command
(``docs/readme_picture.py``): the committed sentence is what the script writes from the committed
numbers, and the numbers belong to the command the README shows now."""
import importlib.util
import json

from conftest import REPO


def _script():
    spec = importlib.util.spec_from_file_location("readme_picture",
                                                  REPO / "docs" / "readme_picture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sentence_is_made_from_the_numbers_of_the_readme_command():
    script = _script()
    readme = (REPO / "README.md").read_text()
    report = json.loads((REPO / "docs" / "images" / "readme_mnist.json").read_text())
    env, args = script.main_command(readme)
    assert args[:4] == ["python", "-m", "gan_lib", "train"] and "--out" in args
    assert report["command"] == " ".join(args), "README's command changed: rerun the script"
    between = readme.split(script.START, 1)[1].split(script.END, 1)[0].strip()
    assert between == script.caption(report)
    assert (REPO / "docs" / "images" / "readme_mnist.png").exists()
