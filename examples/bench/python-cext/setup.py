from setuptools import Extension, setup

setup(
    name="textstats",
    version="1.2.0",
    description="Word statistics over HTTP, with the hot loop in C",
    package_dir={"": "src"},
    packages=["textstats"],
    ext_modules=[Extension("textstats._wordcount", ["src/textstats/_wordcount.c"])],
    install_requires=["flask>=3"],
    python_requires=">=3.9",
)
