"""PostgreSQL search tables

Revision ID: c4f1e2a9b7d3
Revises: 6e9649a63069
Create Date: 2026-12-02 16:50:00

The tables of the PostgreSQL search backend (SEARCH_BACKEND=postgresql,
search/postgresql.py): the offers' search documents with a tsvector and its GIN
index, the words of the offers with a trigram index (pg_trgm) for « Vouliez-vous
dire », their accented forms, and the version row the result caches key on.

They are created on SQLite too (one schema for both), where `terms` is text and the
indexes are ordinary; the extension is only created on PostgreSQL. `flask search
rebuild` fills them when the backend is switched on.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c4f1e2a9b7d3'
down_revision = '6e9649a63069'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('search_document',
    sa.Column('offer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.Column('region', sa.String(length=3), nullable=False),
    sa.Column('department', sa.String(length=3), nullable=False),
    sa.Column('contract_type', sa.String(length=30), nullable=False),
    sa.Column('experience', sa.String(length=30), nullable=False),
    sa.Column('remote_work', sa.String(length=30), nullable=False),
    sa.Column('published_at', sa.BigInteger(), nullable=False),
    sa.Column('application_deadline', sa.Integer(), nullable=False),
    sa.Column('workplace', sa.String(length=5), nullable=False),
    sa.Column('latitude', sa.Integer(), nullable=True),
    sa.Column('longitude', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('offer_id', name=op.f('pk_search_document'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_document_application_deadline'), ['application_deadline'], unique=False)
        batch_op.create_index('ix_search_document_terms', ['terms'], unique=False, postgresql_using='gin')

    op.create_table('search_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_state'))
    )
    op.create_table('search_word',
    sa.Column('word', sa.String(length=200), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_word'))
    )
    with op.batch_alter_table('search_word', schema=None) as batch_op:
        batch_op.create_index('ix_search_word_trigrams', ['word'], unique=False, postgresql_using='gin', postgresql_ops={'word': 'gin_trgm_ops'})

    op.create_table('search_word_form',
    sa.Column('word', sa.String(length=200), nullable=False),
    sa.Column('form', sa.String(length=200), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', 'form', name=op.f('pk_search_word_form'))
    )


def downgrade():
    op.drop_table('search_word_form')
    with op.batch_alter_table('search_word', schema=None) as batch_op:
        batch_op.drop_index('ix_search_word_trigrams', postgresql_using='gin', postgresql_ops={'word': 'gin_trgm_ops'})
    op.drop_table('search_word')
    op.drop_table('search_state')
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index('ix_search_document_terms', postgresql_using='gin')
        batch_op.drop_index(batch_op.f('ix_search_document_application_deadline'))
    op.drop_table('search_document')
