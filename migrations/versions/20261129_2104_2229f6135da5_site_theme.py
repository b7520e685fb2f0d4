"""The site's theme: name, colours, footer, logo and favicon (one row).

Revision ID: 2229f6135da5
Revises: 5b1e0c7a9d21
Create Date: 2026-11-29 21:04:49.423376

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2229f6135da5'
down_revision = '5b1e0c7a9d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_name', sa.String(length=80), nullable=False),
    sa.Column('brand_colour', sa.String(length=7), nullable=False),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('footer_text', sa.String(length=300), nullable=False),
    sa.Column('footer_links', sa.JSON(), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('favicon', sa.LargeBinary(), nullable=True),
    sa.Column('favicon_type', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_site_theme_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_site_theme_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_theme'))
    )


def downgrade():
    op.drop_table('site_theme')
