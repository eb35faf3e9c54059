# git_commit.cmake - writes OUT, a header defining SPREADBENCH_GIT_COMMIT as
# the source tree's commit (with -dirty when tracked files differ from it),
# at every build rather than at configure time, so a results file never
# names a commit its program was not built from.  OUT is rewritten only
# when the text changes, so an unchanged tree rebuilds nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SRC}
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no
  WORKING_DIRECTORY ${SRC}
  OUTPUT_VARIABLE changes ERROR_QUIET)
if(NOT commit)
  set(commit unknown)
elseif(changes)
  set(commit "${commit}-dirty")
endif()
set(text "#define SPREADBENCH_GIT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
