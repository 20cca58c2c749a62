"""The course's stories about its seed documents, checked against the seeds' own settings.

* Seed 004 (Fashion-MNIST, Keras): its loop, run as written on the real data, makes D call
  nearly every input real -- the pattern of its printed table (recall 0.9694, precision 0.494).
* Seed 001 (MNIST): checkpoints every 50 epochs, interrupted at epoch 290, restarted with the
  epoch typed by hand as 290: 40 epochs skipped.
"""
import numpy as np
import pytest

from gan_lib.course import exercises, seed_loop
from gan_lib.data import load_dataset


@pytest.fixture(scope="module")
def fashion():
    try:
        return load_dataset("fashion_mnist"), load_dataset("fashion_mnist", "test")
    except Exception as err:  # noqa: BLE001
        pytest.skip(f"Fashion-MNIST not available: {err}")


def test_seed_004_models_have_the_seeds_parameter_counts():
    generator, discriminator, gan = seed_loop.build_seed_gan()
    # the seed's summaries: 227,344 / 201,217 / 428,561, all trainable in the combined model
    assert seed_loop.count_trainable(generator) == 227_344
    assert seed_loop.count_trainable(discriminator) == 201_217
    assert seed_loop.count_trainable(gan) == 428_561


def test_seed_004_numbers_are_consistent():
    # "Discriminator Loss: [1.05659515 0.48844999]" is the mean of two [loss, accuracy] pairs
    real, fake = seed_loop.SEED_EVALUATE["real"], seed_loop.SEED_EVALUATE["fake"]
    loss, accuracy = seed_loop.SEED_EVALUATE["discriminator_loss"]
    assert abs((real[0] + fake[0]) / 2 - loss) < 1e-4
    assert abs((real[1] + fake[1]) / 2 - accuracy) < 1e-6
    # its table: recall is real called real; precision says ~99.5% of fakes were called real
    table = seed_loop.SEED_TABLE
    fp = seed_loop.fakes_called_real_from_seed_table(table)
    assert 0.99 < fp < 1.0
    assert abs((table["recall"] + 1 - fp) / 2 - table["accuracy"]) < 1e-3


def test_seed_004_loop_makes_d_call_everything_real(fashion):
    """300 steps of the seed's loop as written (data / 255, no freezing, batches in order)."""
    import keras

    train, test = fashion
    keras.utils.set_random_seed(0)
    generator, discriminator, gan = seed_loop.build_seed_gan()
    log = seed_loop.train_seed_loop(generator, discriminator, gan,
                                    seed_loop.seed_scale(train.images), steps=300)
    table = seed_loop.seed_table(generator, discriminator, seed_loop.seed_scale(test.images))
    assert table["fakes_called_real"] > 0.95, table
    assert table["real_called_real"] > 0.95, table
    assert 0.45 < table["precision"] < 0.55 and 0.45 < table["accuracy"] < 0.55, table
    # the seed's printed "loss" pair: its second number is D's accuracy, near 1/2 here too
    assert 0.4 < np.mean(log["d_accuracy"][-50:]) < 0.6


def test_seed_004_generator_step_trains_the_discriminator():
    generator, discriminator, gan = seed_loop.build_seed_gan()
    before = [w.copy() for w in discriminator.get_weights()]
    noise = np.random.default_rng(0).normal(size=(128, 100)).astype("float32")
    gan.train_on_batch(noise, np.ones((128, 1)))
    assert any(not np.array_equal(a, b) for a, b in zip(before, discriminator.get_weights()))


def test_seed_004_fixed_loop_lets_d_separate(fashion):
    import keras

    train, test = fashion
    keras.utils.set_random_seed(0)
    generator, discriminator, gan = seed_loop.build_seed_gan()
    seed_loop.train_seed_loop(generator, discriminator, gan, seed_loop.fixed_scale(train.images),
                              steps=200, fixed=True)
    table = seed_loop.seed_table(generator, discriminator, seed_loop.fixed_scale(test.images))
    assert table["fakes_called_real"] < 0.2 and table["accuracy"] > 0.8, table


def test_seed_001_restart_skipped_40_epochs():
    # seed 001: "checkpoints are saved every 50 epochs", "interrupted at epoch 290",
    # restarted with `train(train_dataset, EPOCHS, 290)` and `EPOCHS=210 # 500-290 = 210`
    save_every, interrupted_at, typed_restart, total = 50, 290, 290, 500
    skipped = exercises.solution_epochs_skipped(interrupted_at, save_every, typed_restart)
    assert skipped == 40
    trained = (interrupted_at // save_every) * save_every + (total - typed_restart)
    assert trained == 460 == total - skipped
    # its code listing saves every 10 epochs instead: none skipped if epoch 290 finished (and was
    # saved), 10 if the session died during epoch 290 (last finished epoch 289, last save 280)
    assert exercises.solution_epochs_skipped(290, 10, 290) == 0
    assert exercises.solution_epochs_skipped(289, 10, 290) == 10


def test_exercise_checks_accept_the_reference_and_reject_a_wrong_answer():
    assert exercises.check_epochs_skipped(exercises.solution_epochs_skipped) == 40
    with pytest.raises(AssertionError):
        exercises.check_epochs_skipped(lambda interrupted, every, typed: typed - interrupted)
    got = exercises.check_fakes_called_real(exercises.solution_fakes_called_real)
    assert abs(got - seed_loop.fakes_called_real_from_seed_table()) < 1e-12
    with pytest.raises(AssertionError):
        exercises.check_fakes_called_real(lambda precision, recall: 1 - precision)


def test_benchmark_loop_keeps_d_frozen_only_inside_the_combined_model():
    """compile_seed_loop/seed_train_step (the benchmark's loop): D learns on its own updates,
    and the combined model's update leaves D alone."""
    import keras

    keras.utils.set_random_seed(0)
    generator, discriminator, _ = seed_loop.build_seed_gan()
    combined = seed_loop.compile_seed_loop(generator, discriminator, 100, from_logits=False)
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    before = [w.copy() for w in discriminator.get_weights()]
    seed_loop.seed_train_step(generator, discriminator, combined, real, rng)
    assert any(not np.array_equal(a, b) for a, b in zip(before, discriminator.get_weights()))
    after_d = [w.copy() for w in discriminator.get_weights()]
    discriminator.trainable = False
    combined.train_on_batch(rng.normal(size=(32, 100)).astype("float32"), np.ones((32, 1)))
    assert all(np.array_equal(a, b) for a, b in zip(after_d, discriminator.get_weights()))


# ------------------------------------------------------------------ quotations, word for word
SEEDS = {"000": "000_9664e47bbc32a894.txt", "001": "001_2ed3d38a1920f22d.txt",
         "002": "002_7d6b70a1354f4cfe.txt", "004": "004_12d89de8d0b106db.txt"}
QUOTES = [  # (notebook, seed, text the notebook quotes from the seed; whitespace-insensitive)
    ("02_fashion_mnist", "004", "x_train = x_train.reshape(-1, 28, 28, 1) / 255.0"),
    ("02_fashion_mnist", "004", "gan = tf.keras.Sequential([generator, discriminator])"),
    ("02_fashion_mnist", "004", "Total params: 428,561"),
    ("02_fashion_mnist", "004", "313/313 [=====] - 1s 3ms/step - loss: 1.9389 - accuracy: 0.0075"),
    ("02_fashion_mnist", "004", "Discriminator Loss: [1.05659515 0.48844999]"),
    ("02_fashion_mnist", "004", "a satisfactory discriminator loss of 0.48"),
    ("02_fashion_mnist", "004", "an excellent recall score of 0.9694"),
    ("02_fashion_mnist", "004", "(1 hour, 5 minutes)"),
    ("05_checkpoint_resume", "001", "checkpoints are saved every 50 epochs"),
    ("05_checkpoint_resume", "001", "Checkpoints were saved at regular intervals (every 50 epochs)"),
    ("05_checkpoint_resume", "001", "the model training was interrupted at epoch **290** and later resumed"),
    ("05_checkpoint_resume", "001", "EPOCHS=210 # 500-290 = 210"),
    ("05_checkpoint_resume", "001", "CheckpointLoadStatus at 0x7f1cd2dce490"),
    ("06_evaluation", "004", "Precision: 0.49355939106970115"),
    ("06_evaluation", "000", "α -Precision: Determining the number of the generated images that "
                             "resemble the most typical or the most often occurring actual image"),
    ("06_evaluation", "000", "β-Recall: Measuring the extent to which synthetic samples' most "
                             "typical β fraction includes actual samples"),
    ("06_evaluation", "000", "Authenticity: This metric measures the prospects that a synthetic "
                             "sample provides a straight duplication of a training sample"),
    ("06_evaluation", "000", "Here $\\alpha = \\beta = 0.9$, α -Precision = 8/9, β -Recall = 4/9, "
                             "Authenticity = 9/10"),
    ("07_stabilisation_and_losses", "002", "slightly smoothed labels like 0.9 for real data and "
                                           "0.1 for fake data"),
    ("07_stabilisation_and_losses", "002", "weight clipping introduces its own challenges, such "
                                           "as vanishing and exploding gradients"),
]


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _seeds_dir():
    import os
    from pathlib import Path

    here = Path(__file__).resolve().parent.parent
    for candidate in (os.environ.get("GAN_SEEDS_DIR"), here.parent / "shared" / "seeds"):
        if candidate and (Path(candidate) / SEEDS["004"]).exists():
            return Path(candidate)
    pytest.skip("the seed documents (../shared/seeds) are not here")


@pytest.mark.parametrize("notebook,seed,quote", QUOTES)
def test_notebook_quotes_the_seed_word_for_word(notebook, seed, quote):
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "notebooks" / f"{notebook}.ipynb"
    cells = json.loads(path.read_text())["cells"]
    text = _squeeze(" ".join("".join(c["source"]) for c in cells))
    assert _squeeze(quote) in text, f"{notebook} no longer quotes: {quote}"
    seed_text = _squeeze((_seeds_dir() / SEEDS[seed]).read_text())
    assert _squeeze(quote) in seed_text, f"seed {seed} does not say: {quote}"
