drop table app.file_judgements;
