from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "transcriber._features",
            sources=["src/transcriber/_features.c"],
            extra_compile_args=["-O3"],
        )
    ]
)
