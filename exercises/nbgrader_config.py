"""nbgrader configuration of the nasedu exercises (run nbgrader commands inside exercises/).

Grading is ``nasedu grade ASSIGNMENT`` (a sandbox per submission, answers judged outside it), not
``nbgrader autograde``, which runs hidden tests inside the student's own kernel: see README.md.
"""

c = get_config()  # noqa: F821 -- provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "nasedu"
c.CourseDirectory.root = "."
# A cell between BEGIN/END SOLUTION becomes this stub in the students' version.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Executing an exercise must never hang a grading server.
c.ExecutePreprocessor.timeout = 300
# Feedback shows the graders' rubric cells (added by nasedu grade for formgrader) to nobody.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nasedu.grader.gradebook.StripRubrics",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
