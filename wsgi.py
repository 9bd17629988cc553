from recrutement import create_app

app = create_app()
