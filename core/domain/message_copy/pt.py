"""Customer notification copy in Portuguese, written for Brazil (você, "pedido", "rastreamento"),
readable in Portugal. The carrier is "a transportadora DHL", which keeps the article right whatever
the carrier's name."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

T = "a transportadora{% if carrier %} {{ carrier }}{% endif %}"
TC = "A transportadora{% if carrier %} {{ carrier }}{% endif %}"
#: With prepositions: "da", "pela", "à", "com a" + transportadora.
OF_T = "da transportadora{% if carrier %} {{ carrier }}{% endif %}"

FRAME = Frame(
    greeting="Olá{% if customer.first_name %}, {{ customer.first_name }}{% endif %}!",
    track="Acompanhe sua encomenda: {{ tracking_url }}",
    report="Algo errado? Conte para a gente aqui: {{ report_url }}",
    signoff="Um abraço,\nEquipe {{ shop.name }}",
    footer="Você recebe estes avisos de entrega porque comprou na loja {{ shop.name }}. "
    "Para não recebê-los mais, cancele a inscrição aqui: {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Seu pedido {{ order.name }} está atrasado",
        "body": email(
            f"Seu pedido {{{{ order.name }}}} já deveria ter chegado, mas {T} ainda não fez a entrega."
            "{% if new_date %} A nova previsão de entrega é {{ new_date }}.{% endif %}",
            next_step("Estamos acompanhando de perto e voltamos a escrever assim que ele se mexer. "
                      "Você não precisa fazer nada."),
        ),
        "sms": "{{ shop.name }}: seu pedido {{ order.name }} está atrasado."
        "{% if new_date %} Nova previsão: {{ new_date }}.{% endif %}"
        " Estamos acompanhando." + link("Rastreio:", "tracking_url"),
    },
    "running_late": {
        "subject": "Atraso na entrega do pedido {{ order.name }}",
        "body": email(
            f"{TC} nos avisou que a encomenda do seu pedido {{{{ order.name }}}} está atrasada."
            "{% if new_date %} A nova data prevista de entrega é {{ new_date }}."
            "{% else %} Ainda não há uma nova data; vamos repassá-la assim que a recebermos.{% endif %}",
            next_step("Sua encomenda continua a caminho e você não precisa fazer nada. Estamos de olho e "
                      "avisaremos se algo mais mudar."),
        ),
        "sms": "{{ shop.name }}: a transportadora avisou de um atraso no pedido {{ order.name }}."
        "{% if new_date %} Nova data: {{ new_date }}.{% endif %}"
        " Nada a fazer." + link("Rastreio:", "tracking_url"),
    },
    "stuck": {
        "subject": "Estamos verificando seu pedido {{ order.name }}",
        "body": email(
            f"A encomenda do seu pedido {{{{ order.name }}}} está há alguns dias sem nenhuma atualização {OF_T}. "
            "Às vezes uma encomenda fica um tempo parada no centro de distribuição, mas não queríamos deixar "
            "você sem notícias.",
            next_step(f"Abrimos um chamado e estamos cobrando {T}. Escreveremos assim que a encomenda voltar a se "
                      "mexer e, se isso não acontecer, vamos encontrar uma solução com você."),
        ),
        "sms": "{{ shop.name }}: a encomenda do pedido {{ order.name }} está parada há alguns dias. Estamos "
        "cobrando a transportadora e daremos notícias." + link("Rastreio:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "Não foi possível entregar seu pedido {{ order.name }}",
        "body": email(
            f"{TC} tentou entregar seu pedido {{{{ order.name }}}}, mas não conseguiu."
            "{% if new_date %} Uma nova tentativa está prevista para {{ new_date }}.{% endif %}",
            next_step("Para escolher outro dia, um local seguro ou um ponto de retirada, use a página de "
                      "rastreamento. Se ninguém puder receber, a encomenda pode ir para um ponto de retirada "
                      "próximo: fique de olho no aviso da transportadora."),
            when("tracking_number", "Código de rastreamento: {{ tracking_number }}"),
        ),
        "sms": "{{ shop.name }}: a transportadora não conseguiu entregar o pedido {{ order.name }}."
        "{% if new_date %} Nova tentativa: {{ new_date }}.{% endif %}"
        + link("Reagende:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Seu pedido {{ order.name }} está pronto para retirada",
        "body": email(
            "A encomenda do seu pedido {{ order.name }} está esperando por você em um ponto de retirada"
            "{% if carrier %} ({{ carrier }}){% endif %}."
            "{% if new_date %} Você tem até {{ new_date }} para retirá-la; depois disso, ela volta para nós."
            "{% else %} Retire-a logo: os pontos de retirada guardam as encomendas só por alguns dias.{% endif %}",
            next_step("O endereço e o horário de funcionamento estão na página de rastreamento. Leve um documento "
                      "com foto{% if tracking_number %} e o código de rastreamento, {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }}: seu pedido {{ order.name }} aguarda retirada."
        "{% if new_date %} Retire até {{ new_date }}.{% endif %}"
        + link("Endereço e horários:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Seu pedido {{ order.name }} está retido na alfândega",
        "body": email(
            "A encomenda do seu pedido {{ order.name }} está retida na alfândega. Normalmente isso significa que "
            "a alfândega precisa de um documento ou do pagamento de impostos de importação para liberá-la.",
            next_step(f"{TC} vai entrar em contato se precisar de algo, geralmente por e-mail ou SMS. Responda logo "
                      "para que a encomenda não seja devolvida. Se tiver dúvida se uma mensagem é verdadeira, "
                      "confira a página de rastreamento ou responda a este e-mail: teremos prazer em ajudar."),
        ),
        "sms": "{{ shop.name }}: seu pedido {{ order.name }} está retido na alfândega. Podem pedir um documento "
        "ou impostos." + link("Detalhes:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Confira o endereço de entrega do pedido {{ order.name }}",
        "body": email(
            f"{TC} não conseguiu entregar seu pedido {{{{ order.name }}}} por um problema no endereço: ele pode "
            "estar incompleto ou difícil de encontrar.",
            next_step("Envie para nós o endereço completo, com número, complemento e ponto de referência, "
                      "respondendo a este e-mail ou pelo link abaixo. Vamos repassá-lo à transportadora na hora, "
                      "antes que a encomenda seja devolvida."),
            report="Envie o endereço completo aqui: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: não foi possível entregar o pedido {{ order.name }} por um problema no "
        "endereço. Envie o endereço correto." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Seu pedido {{ order.name }} foi danificado no transporte",
        "body": email(
            f"Sentimos muito: {T} nos informou que a encomenda do seu pedido {{{{ order.name }}}} foi danificada "
            "no caminho.",
            next_step("Você não vai ficar no prejuízo. Em até um dia útil entraremos em contato para enviar outro "
                      "produto ou devolver seu dinheiro, como preferir."),
            when("report_url", "Se a encomenda chegar até você, guarde-a e envie uma foto pelo link abaixo: isso "
                               "nos ajuda a reclamar com a transportadora."),
            track=False,
        ),
        "sms": "{{ shop.name }}: sentimos muito, seu pedido {{ order.name }} foi danificado no transporte. Em até "
        "1 dia útil falaremos com você sobre troca ou reembolso.",
    },
    "returning": {
        "subject": "Seu pedido {{ order.name }} está voltando para nós",
        "body": email(
            f"{TC} não conseguiu concluir a entrega do seu pedido {{{{ order.name }}}} e está devolvendo a "
            "encomenda para nós.",
            next_step("Assim que ela chegar, entraremos em contato para reenviá-la ou devolver seu dinheiro, como "
                      "você preferir. Se seu endereço mudou, avise pelo link abaixo para acertarmos da próxima vez."),
        ),
        "sms": "{{ shop.name }}: o pedido {{ order.name }} não pôde ser entregue e está voltando para nós. "
        "Falaremos com você para reenviar ou reembolsar." + link("", "report_url", ""),
    },
    "presumed_lost": {
        "subject": "Sentimos muito: seu pedido {{ order.name }} parece ter se perdido",
        "body": email(
            f"Sentimos muito: a encomenda do seu pedido {{{{ order.name }}}} está há muito tempo sem atualização "
            f"{OF_T}, e acreditamos que ela se perdeu.",
            next_step("Não queremos fazer você esperar mais. Diga se prefere um novo envio ou o reembolso, pelo "
                      "link abaixo ou respondendo a este e-mail, e resolvemos na hora."),
            track=False, report="Novo envio ou reembolso? Conte para a gente aqui: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: sentimos muito, o pedido {{ order.name }} parece ter se perdido. Escolha novo "
        "envio ou reembolso e resolvemos." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "Novidades sobre seu pedido {{ order.name }}",
        "body": email(
            "Seu pedido {{ order.name }} está demorando mais do que o previsto para sair daqui."
            "{% if new_date %} Agora a previsão é enviá-lo até {{ new_date }}.{% endif %}",
            next_step("Mandaremos o link de rastreamento assim que ele estiver a caminho. Se preferir não esperar, "
                      "avise pelo link abaixo: cancelamos e devolvemos todo o valor."),
            track=False,
        ),
        "sms": "{{ shop.name }}: desculpe, o pedido {{ order.name }} está demorando para sair."
        "{% if new_date %} Envio até {{ new_date }}.{% endif %}"
        " Mandaremos o rastreio.",
    },
    "partial": {
        "subject": "Parte do seu pedido {{ order.name }} já está a caminho",
        "body": email(
            items("Parte do seu pedido {{ order.name }} já foi enviada, mas estes itens ainda estão conosco:",
                  "Parte do seu pedido {{ order.name }} já foi enviada, e o restante ainda está conosco."),
            when("new_date", "Prevemos enviá-los até {{ new_date }}."),
            next_step("Vamos enviá-los assim que estiverem prontos e mandaremos o rastreamento. "
                      "Você não precisa fazer nada."),
        ),
        "sms": "{{ shop.name }}: parte do pedido {{ order.name }} já está a caminho; o restante segue"
        "{% if new_date %} até {{ new_date }}{% else %} em breve{% endif %}." + link("Rastreio:", "tracking_url"),
    },
    "shipped": {
        "subject": "Seu pedido {{ order.name }} está a caminho",
        "body": email(
            "Boa notícia: seu pedido {{ order.name }} já saiu{% if carrier %} com a transportadora {{ carrier }}"
            "{% endif %}.{% if new_date %} A previsão de entrega é {{ new_date }}.{% endif %}",
            items("Na encomenda:"),
            next_step("Acompanhamos cada encomenda: se algo der errado no caminho, você vai saber primeiro por nós."),
        ),
        "sms": "{{ shop.name }}: seu pedido {{ order.name }} está a caminho"
        "{% if new_date %}, previsão {{ new_date }}{% endif %}." + link("Rastreio:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Seu pedido {{ order.name }} chega hoje",
        "body": email(
            "A encomenda do seu pedido {{ order.name }} saiu para entrega"
            "{% if carrier %} com a transportadora {{ carrier }}{% endif %} e deve chegar hoje.",
            next_step("Se não houver ninguém em casa, você pode indicar um local seguro ou um vizinho na página "
                      "de rastreamento."),
        ),
        "sms": "{{ shop.name }}: seu pedido {{ order.name }} saiu para entrega e chega hoje."
        + link("Rastreio:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Seu pedido {{ order.name }} chegou",
        "body": email(
            "Boa notícia: seu pedido {{ order.name }} foi entregue. Obrigado pela paciência durante o atraso; "
            "sentimos muito que tenha demorado mais do que deveria.",
            next_step("Se faltar algo ou algum item tiver chegado danificado, avise pelo link abaixo e resolvemos."),
            track=False,
        ),
        "sms": "{{ shop.name }}: seu pedido {{ order.name }} foi entregue. Obrigado pela paciência!"
        + link("Algum problema? Fale com a gente:", "report_url"),
    },
    "follow_up": {
        "subject": "Seguimos cuidando do seu pedido {{ order.name }}",
        "body": email(
            "Queremos dar notícias sobre o seu pedido {{ order.name }}.",
            next_step(f"Continuamos trabalhando nisso com {T} e não esquecemos de você. Escreveremos assim que "
                      "tivermos novidades."),
            when("new_date", "A previsão de entrega mais recente é {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: novidades sobre o pedido {{ order.name }}. "
        + next_step("Continuamos cuidando disso e daremos notícias em breve.")
        + link("Rastreio:", "tracking_url"),
    },
    "survey": {
        "subject": "Como nos saímos com seu pedido {{ order.name }}?",
        "body": email(
            "Esperamos que seu pedido {{ order.name }} tenha chegado bem. Conseguimos manter você por dentro da "
            "entrega? É só uma pergunta e leva dez segundos:",
            when("survey_url", "{{ survey_url }}"),
            "Sua resposta vai direto para a equipe {{ shop.name }} e nos ajuda a melhorar.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: como foi a entrega do pedido {{ order.name }}?"
        + link("É só uma pergunta:", "survey_url"),
    },
}

SAMPLE = {"first_name": "Beatriz", "items": [("Avental de linho", 1), ("Caneca de cerâmica", 2)]}
