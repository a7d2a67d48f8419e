"""The issue format's models as plain data. Generated from schema.py by spec_gen.py: do not edit.

    python -m newsletter_pipeline.issue.spec_gen > src/newsletter_pipeline/issue/spec.py
"""

# fmt: off

TEXT = ('str', True, 1, None, ('single_line',))
SINGLE_LINE = ('str', True, None, None, ('single_line',))
MULTI_LINE = ('str', True, None, None, ('multi_line',))
LINES_OR_MARKDOWN = ('str', True, 1, None, ('multi_line',))
LINK_URL = ('str', True, None, None, ('single_line', 'link_url'))
IMAGE_URL = ('str', True, None, None, ('single_line', 'image_url'))
EMAIL = ('str', True, None, None, ('single_line', 'email'))
ANCHOR_NAME = ('str', True, None, None, ('single_line', 'anchor_name'))
COLOR = ('str', True, None, None, ('single_line', 'color'))
FONT_LIST = ('str', True, None, None, ('single_line', 'font_list'))
FONT_FAMILY = ('str', True, None, None, ('single_line', 'font_family'))
CSS_URL = ('str', True, None, None, ('single_line', 'css_url'))
LANGUAGE_TAG = ('str', True, None, '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$', ())

CLASSES = {
    'Strict': {
        'base': None, 'checks': (), 'also_called': (),
        'fields': (
        ),
    },
    'Image': {
        'base': 'Strict', 'checks': ('alt_required',), 'also_called': (),
        'fields': (
            ('src', IMAGE_URL, ('required',), False),
            ('alt', ('optional', SINGLE_LINE), ('value', None), False),
            ('decorative', ('bool',), ('value', False), False),
            ('width', ('int', 16, 1200), ('value', 600), False),
            ('href', ('optional', LINK_URL), ('value', None), False),
        ),
    },
    'Button': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('label', TEXT, ('required',), False),
            ('url', LINK_URL, ('required',), False),
        ),
    },
    'Link': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('title', TEXT, ('required',), False),
            ('url', LINK_URL, ('required',), False),
        ),
    },
    'Person': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('name', TEXT, ('required',), False),
            ('role', ('optional', TEXT), ('value', None), False),
            ('affiliation', ('optional', TEXT), ('value', None), False),
        ),
    },
    'Signature': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('names', ('list', TEXT, 1), ('required',), False),
            ('affiliation', ('optional', TEXT), ('value', None), False),
        ),
    },
    'Event': {
        'base': 'Strict', 'checks': ('event_order',), 'also_called': (),
        'fields': (
            ('title', TEXT, ('required',), False),
            ('start', ('date',), ('required',), False),
            ('end', ('optional', ('date',)), ('value', None), False),
            ('place', TEXT, ('required',), False),
            ('url', LINK_URL, ('required',), False),
            ('label', ('optional', TEXT), ('value', None), False),
        ),
    },
    'Sponsor': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('name', TEXT, ('required',), False),
            ('logo', IMAGE_URL, ('required',), False),
            ('url', LINK_URL, ('required',), False),
            ('width', ('int', 16, 300), ('value', 120), False),
        ),
    },
    'PastEvent': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('title', TEXT, ('required',), False),
            ('subtitle', ('optional', TEXT), ('value', None), False),
            ('date', ('date',), ('required',), False),
            ('where', ('optional', TEXT), ('value', None), False),
            ('url', LINK_URL, ('required',), False),
            ('label', ('optional', TEXT), ('value', None), False),
        ),
    },
    'Colors': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('primary', COLOR, ('value', '#1a4a7a'), False),
            ('accent', COLOR, ('value', '#c2185b'), False),
            ('text', COLOR, ('value', '#222222'), False),
            ('muted', COLOR, ('value', '#555555'), False),
            ('background', COLOR, ('value', '#eef1f5'), False),
            ('surface', COLOR, ('value', '#ffffff'), False),
            ('link', COLOR, ('value', '#1a4a7a'), False),
            ('button_text', COLOR, ('value', '#ffffff'), False),
            ('dark_background', COLOR, ('value', '#121212'), False),
            ('dark_surface', COLOR, ('value', '#1e1e1e'), False),
            ('dark_text', COLOR, ('value', '#e8e8e8'), False),
            ('dark_link', COLOR, ('value', '#8cc4ff'), False),
        ),
    },
    'WebFont': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('name', FONT_FAMILY, ('required',), False),
            ('href', CSS_URL, ('required',), False),
        ),
    },
    'Fonts': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('body', FONT_LIST, ('value', 'Arial, Helvetica, sans-serif'), False),
            ('heading', FONT_LIST, ('value', 'Arial, Helvetica, sans-serif'), False),
            ('web_font', ('optional', ('model', 'WebFont')), ('value', None), False),
        ),
    },
    'Brand': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('logo', ('optional', ('model', 'Logo')), ('value', None), False),
            ('colors', ('model', 'Colors'), ('model', 'Colors'), False),
            ('fonts', ('model', 'Fonts'), ('model', 'Fonts'), False),
            ('width', ('int', 480, 800), ('value', 600), False),
        ),
    },
    'Sender': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('name', TEXT, ('required',), False),
            ('email', EMAIL, ('required',), False),
            ('reply_to', ('optional', EMAIL), ('value', None), False),
        ),
    },
    'SocialLink': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('network', ('literal', ('twitter', 'x', 'linkedin', 'facebook', 'youtube', 'instagram', 'mastodon', 'bluesky', 'github', 'web', 'rss', 'email')), ('required',), False),
            ('url', LINK_URL, ('required',), False),
            ('label', TEXT, ('required',), False),
            ('icon', ('optional', IMAGE_URL), ('value', None), False),
        ),
    },
    'Funding': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('text', LINES_OR_MARKDOWN, ('required',), False),
            ('logo', ('optional', ('model', 'Image')), ('value', None), False),
        ),
    },
    'ImageWeight': {
        'base': 'Strict', 'checks': ('weight_order',), 'also_called': (),
        'fields': (
            ('warn_kb', ('int', 1, None), ('value', 1000), False),
            ('error_kb', ('int', 1, None), ('value', 5000), False),
        ),
    },
    'Settings': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('name', TEXT, ('required',), False),
            ('brand', ('model', 'Brand'), ('model', 'Brand'), False),
            ('sender', ('model', 'Sender'), ('required',), False),
            ('postal_address', LINES_OR_MARKDOWN, ('required',), False),
            ('contact_email', ('optional', EMAIL), ('value', None), False),
            ('website', ('optional', LINK_URL), ('value', None), False),
            ('archive_url', ('optional', LINK_URL), ('value', None), False),
            ('social', ('list', ('model', 'SocialLink'), None), ('factory', 'new_list'), False),
            ('funding', ('optional', ('model', 'Funding')), ('value', None), False),
            ('utm', ('optional', ('model', 'Utm')), ('value', None), False),
            ('image_weight', ('model', 'ImageWeight'), ('model', 'ImageWeight'), False),
            ('templates', ('optional', SINGLE_LINE), ('value', None), False),
            ('strings', ('dict', LANGUAGE_TAG, ('dict', ('str', True, None, None, ()), TEXT)), ('factory', 'new_dict'), False),
        ),
    },
    '_Block': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
        ),
    },
    'Logo': {
        'base': 'Image', 'checks': ('alt_required',), 'also_called': (),
        'fields': (
            ('src', IMAGE_URL, ('required',), False),
            ('alt', ('optional', SINGLE_LINE), ('value', None), False),
            ('decorative', ('bool',), ('value', False), False),
            ('width', ('int', 16, 1200), ('value', 600), False),
            ('href', ('optional', LINK_URL), ('value', None), False),
            ('dark_src', ('optional', IMAGE_URL), ('value', None), False),
        ),
    },
    'Utm': {
        'base': 'Strict', 'checks': (), 'also_called': (),
        'fields': (
            ('source', TEXT, ('value', 'newsletter'), False),
            ('medium', TEXT, ('value', 'email'), False),
            ('campaign', ('optional', TEXT), ('value', None), False),
            ('domains', ('list', TEXT, None), ('factory', 'new_list'), False),
            ('parts', ('list', ('literal', ('html', 'text')), None), ('factory', 'both_parts'), False),
        ),
    },
    'Issue': {
        'base': 'Strict', 'checks': ('unique_ids',), 'also_called': (),
        'fields': (
            ('subject', TEXT, ('required',), False),
            ('preheader', ('optional', TEXT), ('value', None), False),
            ('date', ('date',), ('required',), False),
            ('language', LANGUAGE_TAG, ('value', 'en'), False),
            ('settings', ('optional', ('any_dict',)), ('value', None), False),
            ('blocks', ('list', ('blocks',), 1), ('required',), False),
        ),
    },
    'MastheadBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('header', 'banner', 'hero', 'title'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('masthead',)), ('required',), False),
            ('title', TEXT, ('required',), False),
            ('subtitle', ('optional', TEXT), ('value', None), False),
            ('image', ('optional', ('model', 'Image')), ('value', None), False),
        ),
    },
    'EditorialBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('letter', 'intro', 'introduction', 'welcome', 'editor'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('editorial',)), ('required',), False),
            ('title', ('optional', TEXT), ('value', None), False),
            ('body', LINES_OR_MARKDOWN, ('required',), True),
            ('signature', ('optional', ('model', 'Signature')), ('value', None), False),
        ),
    },
    'ArticleBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('story', 'news', 'post', 'teaser', 'item'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('article',)), ('required',), False),
            ('title', TEXT, ('required',), False),
            ('authors', ('list', ('model', 'Person'), None), ('factory', 'new_list'), False),
            ('body', LINES_OR_MARKDOWN, ('required',), True),
            ('image', ('optional', ('model', 'Image')), ('value', None), False),
            ('link', ('optional', ('model', 'Button')), ('value', None), False),
        ),
    },
    'LinkListBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('links', 'publications', 'reading_list', 'papers'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('link_list',)), ('required',), False),
            ('title', TEXT, ('required',), False),
            ('intro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('links', ('list', ('model', 'Link'), 1), ('required',), False),
            ('outro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('button', ('optional', ('model', 'Button')), ('value', None), False),
        ),
    },
    'BulletsBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('list', 'items', 'bullet_list'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('bullets',)), ('required',), False),
            ('title', TEXT, ('required',), False),
            ('intro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('items', ('list', LINES_OR_MARKDOWN, 1), ('required',), True),
            ('outro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('button', ('optional', ('model', 'Button')), ('value', None), False),
            ('link', ('optional', ('model', 'Button')), ('value', None), False),
        ),
    },
    'CtaBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('button', 'call_to_action', 'action'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('cta',)), ('required',), False),
            ('text', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('button', ('model', 'Button'), ('required',), False),
        ),
    },
    'UpcomingEventsBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('events', 'calendar', 'agenda', 'event'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('upcoming_events',)), ('required',), False),
            ('title', ('optional', TEXT), ('value', None), False),
            ('intro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('events', ('list', ('model', 'Event'), 1), ('required',), False),
        ),
    },
    'PastEventsBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('recap', 'past', 'missed'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('past_events',)), ('required',), False),
            ('title', ('optional', TEXT), ('value', None), False),
            ('intro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('columns', ('literal', (1, 2, 3)), ('value', 2), False),
            ('events', ('list', ('model', 'PastEvent'), 1), ('required',), False),
        ),
    },
    'HeadingBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('section', 'subheading', 'sub_heading', 'subsection', 'chapter', 'h2', 'h3', 'title_block'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('heading',)), ('required',), False),
            ('title', TEXT, ('required',), False),
            ('intro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('level', ('literal', (1, 2)), ('value', 1), False),
        ),
    },
    'QuoteBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('blockquote', 'pullquote', 'pull_quote', 'citation', 'testimonial', 'quotation', 'cite'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('quote',)), ('required',), False),
            ('text', LINES_OR_MARKDOWN, ('required',), True),
            ('attribution', ('optional', TEXT), ('value', None), False),
            ('link', ('optional', LINK_URL), ('value', None), False),
        ),
    },
    'ImageBlock': {
        'base': '_Block', 'checks': ('alt_required',), 'also_called': ('photo', 'picture', 'img', 'figure', 'illustration', 'photograph', 'banner_image'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('image',)), ('required',), False),
            ('src', IMAGE_URL, ('required',), False),
            ('alt', ('optional', SINGLE_LINE), ('value', None), False),
            ('decorative', ('bool',), ('value', False), False),
            ('caption', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('href', ('optional', LINK_URL), ('value', None), False),
            ('width', ('optional', ('int', 16, 1200)), ('value', None), False),
        ),
    },
    'FeatureBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('media', 'side_by_side', 'spotlight', 'highlight', 'media_object', 'showcase'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('feature',)), ('required',), False),
            ('title', TEXT, ('required',), False),
            ('image', ('model', 'Image'), ('required',), False),
            ('body', LINES_OR_MARKDOWN, ('required',), True),
            ('link', ('optional', ('model', 'Button')), ('value', None), False),
            ('image_position', ('optional', ('literal', ('left', 'right'))), ('value', None), False),
        ),
    },
    'SponsorsBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('partners', 'logos', 'funders', 'supporters', 'sponsor', 'backers', 'members'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('sponsors',)), ('required',), False),
            ('title', ('optional', TEXT), ('value', None), False),
            ('intro', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
            ('sponsors', ('list', ('model', 'Sponsor'), 1), ('required',), False),
        ),
    },
    'TocBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('contents', 'table_of_contents', 'index', 'in_this_issue', 'overview', 'summary'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('toc',)), ('required',), False),
            ('title', ('optional', TEXT), ('value', None), False),
        ),
    },
    'DividerBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('hr', 'rule', 'separator', 'line', 'horizontal_rule'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('divider',)), ('required',), False),
        ),
    },
    'SpacerBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('space', 'gap', 'blank', 'padding', 'whitespace'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('spacer',)), ('required',), False),
            ('height', ('int', 4, 120), ('value', 24), False),
        ),
    },
    'FooterBlock': {
        'base': '_Block', 'checks': (), 'also_called': ('signoff', 'contact'),
        'fields': (
            ('id', ('optional', ANCHOR_NAME), ('value', None), False),
            ('type', ('literal', ('footer',)), ('required',), False),
            ('title', ('optional', TEXT), ('value', None), False),
            ('text', ('optional', LINES_OR_MARKDOWN), ('value', None), True),
        ),
    },
}

BLOCK_TYPES = {'masthead': 'MastheadBlock',
 'editorial': 'EditorialBlock',
 'article': 'ArticleBlock',
 'link_list': 'LinkListBlock',
 'bullets': 'BulletsBlock',
 'cta': 'CtaBlock',
 'upcoming_events': 'UpcomingEventsBlock',
 'past_events': 'PastEventsBlock',
 'heading': 'HeadingBlock',
 'quote': 'QuoteBlock',
 'image': 'ImageBlock',
 'feature': 'FeatureBlock',
 'sponsors': 'SponsorsBlock',
 'toc': 'TocBlock',
 'divider': 'DividerBlock',
 'spacer': 'SpacerBlock',
 'footer': 'FooterBlock'}
