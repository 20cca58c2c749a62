"""The course's own pieces, kept apart from the library: what the notebooks use to teach, and
nothing the library needs.

* ``notebook``: set-up, live plots and the small helpers every notebook calls;
* ``exercises``: the checks, reference solutions and ``show_solution`` of the notebooks'
  exercises, each check also giving its verdict to the grader;
* ``editions`` and ``grading``: the student and instructor editions of the notebooks and the
  grader, run as ``python -m gan_lib.course edition|grade`` (docs/course_editions.md);
* ``toy``: notebook 00's one-dimensional GAN, exact enough to draw D* and the JSD;
* ``dirac``: the Dirac-GAN of Mescheder et al. (2018), the game in two parameters that shows
  oscillation and its cure exactly;
* ``failures``: notebook 10's runs on the ring of eight Gaussians, the callback that counts
  their modes as they train, and the measure of D's oscillation;
* ``seed_loop``: the course seed's Keras training loop, made correct for Keras 3, as the
  reference that notebook 02 and the throughput benchmark compare the library with.
"""
