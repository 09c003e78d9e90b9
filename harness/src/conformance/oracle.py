# The conformance oracle: runs copybench's cases through CPython's shutil.
#
# Reads one JSON document on stdin, {"jobs": [...]}, runs each job on the fixture the harness
# built for it, and writes {"python": ..., "executable": ..., "results": [...]} on stdout.
# Paths travel as hex of their bytes so that non-UTF-8 names survive JSON in both directions.
# One process runs the whole batch: an interpreter start costs more than most cases.
import errno
import json
import os
import platform
import re
import shutil
import sys


def decode(hex_path):
    return os.fsdecode(bytes.fromhex(hex_path))


def encode(path):
    if path is None:
        return None
    if isinstance(path, os.DirEntry):
        path = path.path
    return os.fsencode(path).hex()


ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]")


def kind_of_errno(number):
    # The OSError subclass CPython picks for an errno (Objects/exceptions.c).
    return type(OSError(number, "")).__name__


def describe(exc):
    number = getattr(exc, "errno", None)
    return {
        "kind": type(exc).__name__,
        "errno": number if isinstance(number, int) else None,
        "filename": encode(getattr(exc, "filename", None)),
        "filename2": encode(getattr(exc, "filename2", None)),
        "message": str(exc),
    }


def gathered_entry(text):
    # shutil.Error keeps only str(exception) per entry. copytree is run with its default
    # copy_function (copy2 given DirEntry objects, whose cached stat decides which atime is
    # copied), so the class is read back from the text CPython wrote.
    match = ERRNO_IN_TEXT.search(text)
    if match:
        number = int(match.group(1))
        return {"kind": kind_of_errno(number), "errno": number, "message": text}
    if text.endswith("is a named pipe"):
        return {"kind": "SpecialFileError", "errno": None, "message": text}
    if text.endswith("are the same file"):
        return {"kind": "SameFileError", "errno": None, "message": text}
    return {"kind": "OSError", "errno": None, "message": text}


def run_copytree(job, src, dst):
    ignore = shutil.ignore_patterns(*job["ignore"]) if job["ignore"] else None
    try:
        returned = shutil.copytree(
            src,
            dst,
            symlinks=job["symlinks"],
            ignore=ignore,
            ignore_dangling_symlinks=job["ignore_dangling_symlinks"],
            dirs_exist_ok=job["dirs_exist_ok"],
        )
        return {"ok": True, "returned": encode(returned)}
    except shutil.Error as exc:
        gathered = []
        for s, d, text in exc.args[0]:
            entry = gathered_entry(text)
            entry["src"] = encode(s)
            entry["dst"] = encode(d)
            gathered.append(entry)
        return {"ok": False, "kind": "Error", "gathered": gathered, "message": str(exc)}


def run_job(job):
    src = decode(job["src"])
    dst = decode(job["dst"])
    op = job["op"]
    try:
        if op == "copytree":
            return run_copytree(job, src, dst)
        function = {"copyfile": shutil.copyfile, "copy": shutil.copy, "copy2": shutil.copy2}[op]
        returned = function(src, dst, follow_symlinks=job["follow_symlinks"])
        return {"ok": True, "returned": encode(returned)}
    except OSError as exc:
        result = describe(exc)
        result["ok"] = False
        return result


def main():
    request = json.load(sys.stdin)
    results = []
    for job in request["jobs"]:
        result = run_job(job)
        result["id"] = job["id"]
        results.append(result)
    json.dump(
        {
            "python": platform.python_implementation() + " " + platform.python_version(),
            "executable": sys.executable,
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
